import { test } from '@jest/globals';
import { sharedFile } from './lane.js';

test('shared-1', () => sharedFile('shared-1'));

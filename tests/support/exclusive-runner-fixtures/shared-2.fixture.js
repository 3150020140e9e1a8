import { test } from '@jest/globals';
import { sharedFile } from './lane.js';

test('shared-2', () => sharedFile('shared-2'));

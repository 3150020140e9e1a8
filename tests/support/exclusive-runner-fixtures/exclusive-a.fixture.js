import { test } from '@jest/globals';
import { exclusiveFile } from './lane.js';

test('exclusive-a', () => exclusiveFile('exclusive-a'));

import { test } from '@jest/globals';
import { exclusiveFile } from './lane.js';

test('exclusive-b', () => exclusiveFile('exclusive-b'));

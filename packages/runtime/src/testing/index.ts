export { startInProcess, type ServiceUnderTest } from './start-in-process.ts';

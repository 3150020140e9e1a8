export { compileUserRegex, USER_REGEX_MAX_LENGTH, USER_REGEX_MAX_PROGRAM_SIZE } from './user-regex.ts';
export type { CompiledUserRegex, RegexCapture, UserRegex, UserRegexOptions } from './user-regex.ts';

export { isPermanentError, PermanentError } from './permanent-error.ts';
export { isRetryableError, RetryableError } from './retryable-error.ts';

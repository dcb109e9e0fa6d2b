import { wellTestFunction } from './well-test-function.ts';

/** Test created + validated telemetry → well-testing.test-completed once steady: see function.yaml and well-test-function.ts. */
export default wellTestFunction();

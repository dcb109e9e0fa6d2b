import { dailyProductionFunction } from './daily-production-function.ts';

/** Meter readings, well status and tests → production.daily-production: see function.yaml and daily-production-function.ts. */
export default dailyProductionFunction();

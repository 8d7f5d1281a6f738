export * from './plan.js';
export { PlanRunner } from './runner.js';
export type { PlanRunnerOptions, LoadResult } from './runner.js';

// Facts about step types that the workflow sandbox needs too. Kept free of zod
// (and of any other dependency) so the workflow bundle stays small: every cached
// run evaluates the bundle's modules afresh, so a schema library here costs
// memory and CPU per run.
import type { StepType } from './schema';

/** Step types that hold a run for a while (a run "sits" at them). */
export const WAITING_STEPS: readonly StepType[] = ['wait', 'wait_until_window', 'wait_for_event', 'approval'];

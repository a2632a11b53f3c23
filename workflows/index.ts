// Every workflow type the worker registers (the bundle's entry point).
export { journeyWorkflow } from './journey';
export { broadcastWorkflow } from './broadcast';

// The only workflowsPath: every workflow the worker runs is exported here.
export { reviewRound } from './reviewRound.js';
export { uploadSweep } from './uploadSweep.js';

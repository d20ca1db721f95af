// Injection tokens of the core module, apart from it so providers can import them
// without importing the module (which imports the providers).
import type { JobQueue } from './queue/job-queue';
import type { CustosJobs } from './queue/jobs';

export const CONFIG = Symbol('Config');
export const STORAGE = Symbol('Storage');
export const JOB_QUEUE = Symbol('JobQueue');

export type CustosQueue = JobQueue<CustosJobs>;

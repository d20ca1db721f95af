// BullMQ behind one typed surface: job names and payload types come from one map, and a
// worker must be given a handler for every name in it (checked when it starts). The
// same code runs on Redis and on BullMQ's PostgreSQL backend (docs/adr/0001).
import {
  createPostgresBackend,
  Queue,
  Worker,
  type ConnectionOptions,
  type Job,
  type JobsOptions,
  type Processor,
} from 'bullmq';
import type { QueueConnection } from '../database/storage';

export type JobHandlers<M> = {
  readonly [K in keyof M & string]: (data: M[K], job: Job) => Promise<unknown>;
};

function redisOptions(connection: QueueConnection & { kind: 'redis' }) {
  // ioredis 6's option type is wider than the one BullMQ declares; the values are the same.
  return { connection: connection.options as ConnectionOptions, prefix: connection.prefix };
}

function openQueue(connection: QueueConnection, name: string): Queue {
  return connection.kind === 'redis'
    ? new Queue(name, redisOptions(connection))
    : (new Queue(
        name,
        { connection: connection.connection },
        createPostgresBackend,
      ) as unknown as Queue);
}

function openWorker(
  connection: QueueConnection,
  name: string,
  processor: Processor,
  concurrency: number,
): Worker {
  return connection.kind === 'redis'
    ? new Worker(name, processor, { ...redisOptions(connection), concurrency })
    : (new Worker(
        name,
        processor,
        { connection: connection.connection, concurrency },
        createPostgresBackend,
      ) as unknown as Worker);
}

export class JobQueue<M extends object> {
  private readonly queue: Queue;

  constructor(
    connection: QueueConnection,
    readonly name: string,
  ) {
    this.queue = openQueue(connection, name);
    this.queue.on('error', () => undefined); // surfaced by /health and by add() itself
  }

  async add<K extends keyof M & string>(name: K, data: M[K], options?: JobsOptions): Promise<void> {
    await this.queue.add(name, data, { removeOnComplete: 1000, removeOnFail: 5000, ...options });
  }

  /** Adds (or updates) a schedule that enqueues `name` every `everyMs` milliseconds. */
  async every<K extends keyof M & string>(name: K, data: M[K], everyMs: number): Promise<void> {
    await this.queue.upsertJobScheduler(
      `every:${name}`,
      { every: everyMs },
      { name, data, opts: { removeOnComplete: 10, removeOnFail: 100 } },
    );
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

export interface JobWorkerOptions {
  readonly concurrency?: number;
  /** Every name of the job map, so a missing handler stops the start, not a job. */
  readonly jobNames: readonly string[];
}

export class JobWorker<M extends object> {
  private readonly worker: Worker;

  constructor(
    connection: QueueConnection,
    queueName: string,
    handlers: JobHandlers<M>,
    options: JobWorkerOptions,
  ) {
    const table = handlers as Readonly<
      Record<string, (data: unknown, job: Job) => Promise<unknown>>
    >;
    const missing = options.jobNames.filter((name) => typeof table[name] !== 'function');
    if (missing.length > 0) {
      throw new Error(`queue ${queueName}: no handler for job ${missing.join(', ')}`);
    }
    const processor = async (job: Job): Promise<unknown> => {
      const handler = table[job.name];
      if (!handler) throw new Error(`queue ${queueName}: no handler for job ${job.name}`);
      return handler(job.data, job);
    };
    this.worker = openWorker(connection, queueName, processor, options.concurrency ?? 1);
    this.worker.on('error', () => undefined); // connection errors are retried by BullMQ
  }

  /** Resolves once the worker is connected and taking jobs. */
  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /** Stops taking jobs and waits for the running ones to finish. */
  async close(): Promise<void> {
    await this.worker.close();
  }
}

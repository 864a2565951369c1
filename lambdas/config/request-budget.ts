// How long one AWS request may take, said once for every AWS SDK client the functions make (DynamoDB,
// SQS, Secrets Manager) and set the SDK's way: maxAttempts, and NodeHttpHandler's connection and request
// timeouts. The carrier and a developer both wait seconds, not minutes; the SDK's defaults wait for ever.
//
// NodeHttpHandler starts its connection and request timers when it creates the request, before the
// agent hands it a socket: with every socket of the pool busy, an attempt that only waited its turn
// failed as "did not establish a connection" (issue 18: 300 concurrent local calls, 260 apologies).
// So an attempt first waits for a free socket of its own pool, bounded separately (socketWait), and only
// then reaches the SDK's handler, whose timers then measure a real connection and a real answer.
import { finished } from 'node:stream';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';

/** Attempts (the first included), and each attempt's time to connect and to answer. */
export interface RequestBudget {
  maxAttempts: number;
  /** Milliseconds to open a connection (NodeHttpHandler connectionTimeout). */
  connectionTimeout: number;
  /** Milliseconds a connected socket may wait for the answer before the attempt fails (NodeHttpHandler requestTimeout). */
  requestTimeout: number;
  /**
   * Milliseconds an attempt may wait for one of the client's sockets while all of them are busy. Not a
   * connection failure: it is the other requests' answers it waits for. Default: connectionTimeout + requestTimeout
   * (as long as one attempt may take; without either, as long as it takes, like the SDK).
   */
  socketWait?: number;
}

/**
 * Sockets per client, kept alive between requests. A Lambda environment serves one request at a time
 * (a handful of DynamoDB requests at once at most); the local server serves every concurrent request
 * from one process, and there the pool is what queues: DynamoDB Local does not answer faster with more
 * connections, so more sockets would only move the queue into its server, where it counts against the
 * request timeout. docs/decisions.md, "Sockets per SDK client".
 */
export const SOCKETS_PER_CLIENT = 50;

/** No free socket within `socketWait`: a timeout, which the SDK's retry strategy treats as transient. */
export class SocketWaitTimeoutError extends Error {
  constructor(ms: number) {
    super(`no free socket of the client's pool within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** The client's sockets as a FIFO of turns: at most `size` requests hold a socket at once. */
export class SocketTurns {
  private busy = 0;
  private readonly queue: Array<{ grant(): void }> = [];

  constructor(readonly size: number) {}

  /** Resolves with the function that gives the turn back (once, whatever calls it again); no `waitMs`: waits as long as it takes. */
  take(waitMs: number | undefined, signal?: AbortSignal): Promise<() => void> {
    if (this.busy < this.size && this.queue.length === 0) {
      this.busy++;
      return Promise.resolve(this.giveBack());
    }
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
      };
      const waiter = {
        grant: () => {
          leave();
          resolve(this.giveBack());
        },
      };
      const onAbort = () => (leave(), reject(signal?.reason ?? new Error('aborted')));
      const timer = waitMs === undefined ? undefined : setTimeout(() => (leave(), reject(new SocketWaitTimeoutError(waitMs))), waitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Requests holding a socket, and waiting for one (tests and diagnostics). */
  get state() {
    return { busy: this.busy, waiting: this.queue.length };
  }

  private giveBack(): () => void {
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.queue.shift();
      // The turn passes straight to the next waiter (busy stays the same), or is freed.
      if (next) next.grant();
      else this.busy--;
    };
  }
}

type Handle = NodeHttpHandler['handle'];

/**
 * NodeHttpHandler behind the pool's turns: an attempt holds a turn from before its request is created
 * until its answer has been read (or it failed), so the agent always has a socket for it and the SDK's
 * connection timeout measures connecting, not queueing.
 */
export class PooledHttpHandler extends NodeHttpHandler {
  readonly turns: SocketTurns;

  constructor(
    options: NodeHttpHandlerOptions,
    private readonly socketWait: number | undefined,
    sockets = SOCKETS_PER_CLIENT,
  ) {
    super({ ...options, httpAgent: { keepAlive: true, maxSockets: sockets }, httpsAgent: { keepAlive: true, maxSockets: sockets } });
    this.turns = new SocketTurns(sockets);
  }

  override async handle(...[request, options]: Parameters<Handle>): ReturnType<Handle> {
    const giveBack = await this.turns.take(this.socketWait, options?.abortSignal as AbortSignal | undefined);
    let out: Awaited<ReturnType<Handle>>;
    try {
      out = await super.handle(request, options);
    } catch (err) {
      giveBack();
      throw err;
    }
    // The socket is the agent's again once the body has been read (or destroyed): the SDK always does one.
    const body = out.response.body as NodeJS.ReadableStream | undefined;
    if (body && typeof (body as { on?: unknown }).on === 'function') finished(body, () => giveBack());
    else giveBack();
    return out;
  }
}

/**
 * An SDK client's settings for a budget; a part left out keeps the SDK's default. Without
 * throwOnRequestTimeout the SDK's handler only logs a warning when requestTimeout passes.
 */
export function sdkClientConfig({ maxAttempts, connectionTimeout, requestTimeout, socketWait }: Partial<RequestBudget>) {
  return {
    ...(maxAttempts !== undefined && { maxAttempts }),
    requestHandler: new PooledHttpHandler(
      { connectionTimeout, requestTimeout, throwOnRequestTimeout: requestTimeout !== undefined },
      socketWait ?? (connectionTimeout === undefined && requestTimeout === undefined ? undefined : (connectionTimeout ?? 0) + (requestTimeout ?? 0)),
    ),
  };
}

/** The longest an attempt may wait for a socket. */
const socketWaitOf = (budget: RequestBudget) => budget.socketWait ?? budget.connectionTimeout + budget.requestTimeout;

/**
 * The longest a request can take before it fails: every attempt waiting its longest for a socket and
 * timing out, plus the SDK's backoff between them (under 1 s for 3 attempts).
 */
export const worstCaseMs = (budget: RequestBudget) => budget.maxAttempts * (socketWaitOf(budget) + budget.connectionTimeout + budget.requestTimeout) + 1_000;

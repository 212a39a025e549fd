import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * How often and how long to wait before calling again after UNAVAILABLE.
 *
 * The wait before retry k (1-based) is drawn uniformly from [c / 2, c], where
 * c = min(maxBackoffMs, initialBackoffMs * multiplier^(k-1)). The random half keeps many clients
 * that lost the same server from coming back in step, and the fixed half keeps the sum of the
 * waits from falling far below the sum of the ceilings.
 *
 * The defaults wait between 27.75 s and 55.5 s in total over their 9 retries (ceilings 0.5, 1, 2,
 * 4, 8 and then 10 s), long enough for a typical PostgreSQL restart. The call's deadline still
 * ends the retries first when it is shorter.
 */
export interface RetryPolicy {
  /** Attempts in total, the first included. Default 10. */
  maxAttempts: number;
  /** Ceiling of the first wait, in milliseconds. Default 500. */
  initialBackoffMs: number;
  /** Largest ceiling of a wait, in milliseconds. Default 10000. */
  maxBackoffMs: number;
  /** Growth of the ceiling per retry. Default 2. */
  multiplier: number;
}

/** The retry policy used when a client is given none. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 10,
  initialBackoffMs: 500,
  maxBackoffMs: 10_000,
  multiplier: 2,
};

/** Fills the missing fields of a partial policy with the defaults and checks the result. */
export function resolveRetryPolicy(policy: Partial<RetryPolicy> = {}): RetryPolicy {
  const resolved = { ...defaultRetryPolicy, ...policy };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be an integer of at least 1, got ${resolved.maxAttempts}`);
  }
  if (resolved.initialBackoffMs < 0 || resolved.maxBackoffMs < 0) {
    throw new RangeError("initialBackoffMs and maxBackoffMs must not be negative");
  }
  if (resolved.multiplier < 1) {
    throw new RangeError(`multiplier must be at least 1, got ${resolved.multiplier}`);
  }
  return resolved;
}

/** Returns the longest wait in milliseconds before retry number `retry` (1-based). */
export function backoffCeilingMs(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** (retry - 1));
}

/** Returns a random wait in milliseconds before retry number `retry` (1-based). */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  const ceiling = backoffCeilingMs(policy, retry);
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}

/** Returns whether a failed call may be sent again: only UNAVAILABLE qualifies. */
export function isRetryable(error: unknown): boolean {
  return error instanceof ConnectError && error.code === Code.Unavailable;
}

/**
 * Waits `ms` milliseconds, or less when `signal` aborts. Returns false when the signal aborted
 * (the call's deadline passed or the caller cancelled), true otherwise.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Creates an interceptor that retries unary calls failing with UNAVAILABLE. Every attempt shares the
 * call's deadline, because Connect sets one abort signal per call before the interceptors run.
 * Streaming calls pass through: a stream cannot be replayed here, because its requests are
 * consumed as they are sent.
 */
export function retryInterceptor(policy: RetryPolicy): Interceptor {
  return (next) => async (request) => {
    if (request.stream) {
      return next(request);
    }

    for (let attempt = 1; ; attempt++) {
      try {
        return await next(request);
      } catch (error) {
        if (!isRetryable(error) || attempt >= policy.maxAttempts) {
          throw error;
        }
        if (!(await sleep(backoffMs(policy, attempt), request.signal))) {
          throw error;
        }
      }
    }
  };
}

import { useDeferredValue } from 'react';

interface QueryLike<T> {
  data: T | undefined;
  error: unknown;
  isPending: boolean;
  refetch: () => unknown;
}

/**
 * A query for a screen that is heavy to draw. A query's own update is urgent, so React
 * would draw everything its data brings in one task, during which a tap waits; with the
 * data deferred, React draws it in a background pass that it interrupts every few
 * milliseconds for input, and the screen keeps what it shows (its skeleton at first)
 * until that pass is done.
 */
export function useDeferredQuery<T>(query: QueryLike<T>): QueryLike<Exclude<T, undefined>> {
  const data = useDeferredValue(query.data) as Exclude<T, undefined> | undefined;
  const drawing = data === undefined && query.data !== undefined;
  return {
    data,
    error: drawing ? null : query.error,
    isPending: query.isPending || drawing,
    refetch: query.refetch,
  };
}

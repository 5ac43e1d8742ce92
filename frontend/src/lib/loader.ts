const TRIES_WHILE_ONLINE = 3;

function whenOnline(): Promise<void> {
  if (navigator.onLine) return Promise.resolve();
  return new Promise((resolve) => window.addEventListener('online', () => resolve(), { once: true }));
}

/**
 * Loads a part of the app that is fetched apart (a screen, a dialog, a chart), once for
 * whoever asks first: `lazy(loader(() => import('./Part')))`. Offline (a tablet that lost
 * the Wi-Fi in the group room) it waits for the connection to return rather than fail,
 * which would take the whole app down; online, a failed fetch is tried again a moment
 * later, a few times, before the error stands.
 */
export function loader<T>(load: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  const attempt = async (): Promise<T> => {
    for (let failures = 0; ; ) {
      await whenOnline();
      try {
        return await load();
      } catch (error) {
        failures += 1;
        if (navigator.onLine && failures >= TRIES_WHILE_ONLINE) throw error;
        await new Promise((resolve) => window.setTimeout(resolve, 500 * 2 ** failures));
      }
    }
  };
  return () => {
    result ??= attempt().catch((error: unknown) => {
      result = undefined;
      throw error;
    });
    return result;
  };
}

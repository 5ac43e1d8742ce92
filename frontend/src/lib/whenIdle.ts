/**
 * Runs `task` a while after the screen has drawn, when the browser has nothing better to
 * do (at the latest a few seconds later); returns a cancel function. For loading what a
 * screen may need later without competing with what it needs now.
 */
export function whenIdle(task: () => void, delayMs = 2000): () => void {
  let idle: number | undefined;
  const timer = window.setTimeout(() => {
    if (typeof window.requestIdleCallback === 'function') {
      idle = window.requestIdleCallback(task, { timeout: 3000 });
    } else {
      task();
    }
  }, delayMs);
  return () => {
    window.clearTimeout(timer);
    if (idle !== undefined) window.cancelIdleCallback(idle);
  };
}

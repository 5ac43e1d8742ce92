import { useEffect, useRef, useState } from 'react';

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

export interface IdleState {
  /** Seconds left before the sign-out, while the warning shows; null otherwise. */
  secondsLeft: number | null;
  reset: () => void;
}

/**
 * Counts the time since the person last touched the app. For the last `warnSeconds`
 * before `timeoutSeconds`, `secondsLeft` counts down; at zero `onTimeout` runs once.
 * While the warning shows, ordinary activity does not dismiss it: only `reset` does,
 * so a stray tap cannot hide the warning without the person seeing it.
 */
export function useIdleTimer(
  timeoutSeconds: number,
  warnSeconds: number,
  onTimeout: () => void,
  onActive?: () => void,
): IdleState {
  const lastActivity = useRef(0);
  const warning = useRef(false);
  const [secondsLeft, setSecondsLeft] = useState<number | null>(null);
  const timeoutRef = useRef(onTimeout);
  const activeRef = useRef(onActive);

  useEffect(() => {
    timeoutRef.current = onTimeout;
    activeRef.current = onActive;
  });

  useEffect(() => {
    lastActivity.current = Date.now();
    const onActivity = () => {
      if (warning.current) return;
      lastActivity.current = Date.now();
      activeRef.current?.();
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, onActivity, { passive: true });
    const timer = window.setInterval(() => {
      const idle = (Date.now() - lastActivity.current) / 1000;
      const left = Math.ceil(timeoutSeconds - idle);
      if (left <= 0) {
        window.clearInterval(timer);
        warning.current = false;
        setSecondsLeft(null);
        timeoutRef.current();
      } else if (left <= warnSeconds) {
        warning.current = true;
        setSecondsLeft(left);
      }
    }, 1000);
    return () => {
      window.clearInterval(timer);
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onActivity);
    };
  }, [timeoutSeconds, warnSeconds]);

  return {
    secondsLeft,
    reset: () => {
      lastActivity.current = Date.now();
      warning.current = false;
      setSecondsLeft(null);
    },
  };
}

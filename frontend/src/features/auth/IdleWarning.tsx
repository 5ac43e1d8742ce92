import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { lastServerContact } from '../../lib/api';
import { whenIdle } from '../../lib/whenIdle';
import { useAuth } from './AuthProvider';
import { useIdleTimer } from './useIdleTimer';
import { loader } from '../../lib/loader';

export const WARN_SECONDS = 120;
// The server's idle clock only restarts on a request: while someone works without
// saving (typing a note), the app tells it now and then that they are still here.
const KEEP_ALIVE_MS = 5 * 60_000;

const loadDialog = loader(() => import('./IdleDialog'));
const IdleDialog = lazy(loadDialog);

/**
 * The idle clock runs from the first screen; its dialog (and the modal code it needs) is
 * fetched once the screen is idle, so that it is at hand, even offline, when it is due.
 */
export function IdleWarning() {
  const { idleTimeoutSeconds, signOut, touch } = useAuth();
  const onTimeout = useCallback(() => void signOut('idle'), [signOut]);
  const onActive = useCallback(() => {
    if (Date.now() - lastServerContact() > KEEP_ALIVE_MS) void touch().catch(() => undefined);
  }, [touch]);
  const { secondsLeft, reset } = useIdleTimer(idleTimeoutSeconds, WARN_SECONDS, onTimeout, onActive);
  // Mounted from the first warning on, so that closing it returns the focus.
  const [mounted, setMounted] = useState(false);
  if (secondsLeft !== null && !mounted) setMounted(true);
  useEffect(() => whenIdle(() => void loadDialog().catch(() => undefined)), []);

  const stay = () => {
    reset();
    void touch().catch(() => undefined);
  };
  if (!mounted) return null;
  return (
    <Suspense fallback={null}>
      <IdleDialog secondsLeft={secondsLeft} onStay={stay} onSignOut={() => void signOut('signed_out')} />
    </Suspense>
  );
}

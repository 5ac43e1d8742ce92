/**
 * Where to go after signing in: the screen the person was on when they were signed out
 * (idle, expired) or when they opened an address while signed out. It is kept in this
 * tab's sessionStorage with the id of the person who was signed out, so that someone else
 * signing in on a shared tablet starts on Today rather than on the last person's screen.
 */
const RETURN_KEY = 'homeward.returnTo';

interface Remembered {
  path: string;
  userId: string | null;
}

function isAppPath(path: unknown): path is string {
  return (
    typeof path === 'string' &&
    path.startsWith('/') &&
    !path.startsWith('//') &&
    !path.startsWith('/sign-in')
  );
}

function read(): Partial<Remembered> | null {
  const raw = sessionStorage.getItem(RETURN_KEY);
  if (!raw) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' ? (value as Partial<Remembered>) : null;
  } catch {
    return null;
  }
}

/**
 * Remembers `path` as the screen to come back to; a sign-in address is never remembered.
 * Without a `userId` (the guard, seeing nobody signed in) the same path keeps its owner.
 */
export function rememberReturnPath(path: string, userId: string | null = null): void {
  if (!isAppPath(path)) return;
  const before = read();
  const owner = userId ?? (before?.path === path ? (before.userId ?? null) : null);
  const value: Remembered = { path, userId: owner };
  sessionStorage.setItem(RETURN_KEY, JSON.stringify(value));
}

export function forgetReturnPath(): void {
  sessionStorage.removeItem(RETURN_KEY);
}

/**
 * The screen to open once `userId` has signed in: the remembered one when it was theirs
 * (or nobody's: an address opened before signing in), otherwise Today. It only reads.
 */
export function returnPathFor(userId: string): string {
  const remembered = read();
  if (!remembered || !isAppPath(remembered.path)) return '/';
  if (remembered.userId && remembered.userId !== userId) return '/';
  return remembered.path;
}

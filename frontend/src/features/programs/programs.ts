import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../../lib/api';

/** Every program, shared by the screens that need their names or time zones. */
export const programsQuery = {
  queryKey: ['programs'],
  queryFn: () => ok(api.GET('/api/v1/programs', { params: { query: { limit: 200 } } })),
  staleTime: 5 * 60_000,
} as const;

/** One program with its phases; the session room and the enrollment page share it. */
export function programQuery(programId: string) {
  return {
    queryKey: ['program', programId],
    queryFn: () =>
      ok(api.GET('/api/v1/programs/{program_id}', { params: { path: { program_id: programId } } })),
    staleTime: 5 * 60_000,
  };
}

/**
 * A program's time zone by its id. Sessions are shown in their program's zone, not the
 * device's: a clinician travelling, or a tablet set to another zone, still sees the
 * times the clients were given. Undefined until the programs have loaded.
 */
export function useProgramZones(): { zoneOf: (programId: string) => string | undefined; ready: boolean } {
  const programs = useQuery(programsQuery);
  const zones = new Map((programs.data?.items ?? []).map((p) => [p.id, p.timezone]));
  // A failed load falls back to the device's zone rather than hiding the day's sessions.
  return { zoneOf: (programId) => zones.get(programId), ready: !programs.isPending };
}

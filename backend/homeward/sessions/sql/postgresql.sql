-- save_attendance
CREATE OR REPLACE FUNCTION public.save_attendance(checked_session_id uuid, checked_session_type character varying, checked_status character varying, checked_starts_at timestamp with time zone, checked_ends_at timestamp with time zone, listed json, recorder_id uuid, recorded_when timestamp with time zone)
 RETURNS TABLE(enrollment_id uuid, status character varying, minutes_attended integer, note text, recorded_by_id uuid, recorded_at timestamp with time zone)
 LANGUAGE plpgsql
 ROWS 30
AS $function$
        #variable_conflict use_column
        BEGIN
            PERFORM FROM treatment_sessions AS s
            WHERE s.id = checked_session_id
              AND s.session_type = checked_session_type
              AND s.status = checked_status
              AND s.starts_at = checked_starts_at
              AND s.ends_at = checked_ends_at
            FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'session % changed since its attendance was checked',
                    checked_session_id USING ERRCODE = 'HWA01';
            END IF;
            INSERT INTO attendance (session_id, enrollment_id, status, minutes_attended, note,
                                    recorded_by_id, recorded_at)
            SELECT checked_session_id, l.enrollment_id, l.status, l.minutes_attended, l.note,
                   recorder_id, recorded_when
            FROM json_to_recordset(listed)
                 AS l (enrollment_id uuid, status varchar, minutes_attended integer, note text)
            ON CONFLICT (session_id, enrollment_id) DO UPDATE SET
                status = excluded.status, minutes_attended = excluded.minutes_attended,
                note = excluded.note, recorded_by_id = excluded.recorded_by_id,
                recorded_at = excluded.recorded_at;
            RETURN QUERY
                SELECT a.enrollment_id, a.status, a.minutes_attended, a.note, a.recorded_by_id,
                       a.recorded_at
                FROM attendance AS a
                WHERE a.session_id = checked_session_id
                ORDER BY a.enrollment_id;
        END
        $function$;

-- session_tallies_attendance_delete
CREATE OR REPLACE FUNCTION public.session_tallies_attendance_delete()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    
        INSERT INTO session_tallies AS tally (session_id, recorded, rostered)
        SELECT delta.session_id, delta.n, 0
        FROM (SELECT session_id, -count(*) FROM old_rows GROUP BY session_id) AS delta (session_id, n)
        JOIN treatment_sessions ON treatment_sessions.id = delta.session_id
        ORDER BY delta.session_id
        ON CONFLICT (session_id) DO UPDATE SET recorded = tally.recorded + excluded.recorded;
    
                    RETURN NULL;
                END
                $function$;

-- session_tallies_attendance_insert
CREATE OR REPLACE FUNCTION public.session_tallies_attendance_insert()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    
        INSERT INTO session_tallies AS tally (session_id, recorded, rostered)
        SELECT delta.session_id, delta.n, 0
        FROM (SELECT session_id, count(*) FROM new_rows GROUP BY session_id) AS delta (session_id, n)
        JOIN treatment_sessions ON treatment_sessions.id = delta.session_id
        ORDER BY delta.session_id
        ON CONFLICT (session_id) DO UPDATE SET recorded = tally.recorded + excluded.recorded;
    
                    RETURN NULL;
                END
                $function$;

-- session_tallies_attendance_update
CREATE OR REPLACE FUNCTION public.session_tallies_attendance_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
            BEGIN
                
        INSERT INTO session_tallies AS tally (session_id, recorded, rostered)
        SELECT delta.session_id, delta.n, 0
        FROM (SELECT OLD.session_id, -1 UNION ALL SELECT NEW.session_id, 1) AS delta (session_id, n)
        JOIN treatment_sessions ON treatment_sessions.id = delta.session_id
        ORDER BY delta.session_id
        ON CONFLICT (session_id) DO UPDATE SET recorded = tally.recorded + excluded.recorded;
    
                RETURN NULL;
            END
            $function$;

-- session_tallies_session_roster_delete
CREATE OR REPLACE FUNCTION public.session_tallies_session_roster_delete()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    
        INSERT INTO session_tallies AS tally (session_id, rostered, recorded)
        SELECT delta.session_id, delta.n, 0
        FROM (SELECT session_id, -count(*) FROM old_rows GROUP BY session_id) AS delta (session_id, n)
        JOIN treatment_sessions ON treatment_sessions.id = delta.session_id
        ORDER BY delta.session_id
        ON CONFLICT (session_id) DO UPDATE SET rostered = tally.rostered + excluded.rostered;
    
                    RETURN NULL;
                END
                $function$;

-- session_tallies_session_roster_insert
CREATE OR REPLACE FUNCTION public.session_tallies_session_roster_insert()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    
        INSERT INTO session_tallies AS tally (session_id, rostered, recorded)
        SELECT delta.session_id, delta.n, 0
        FROM (SELECT session_id, count(*) FROM new_rows GROUP BY session_id) AS delta (session_id, n)
        JOIN treatment_sessions ON treatment_sessions.id = delta.session_id
        ORDER BY delta.session_id
        ON CONFLICT (session_id) DO UPDATE SET rostered = tally.rostered + excluded.rostered;
    
                    RETURN NULL;
                END
                $function$;

-- session_tallies_session_roster_update
CREATE OR REPLACE FUNCTION public.session_tallies_session_roster_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
            BEGIN
                
        INSERT INTO session_tallies AS tally (session_id, rostered, recorded)
        SELECT delta.session_id, delta.n, 0
        FROM (SELECT OLD.session_id, -1 UNION ALL SELECT NEW.session_id, 1) AS delta (session_id, n)
        JOIN treatment_sessions ON treatment_sessions.id = delta.session_id
        ORDER BY delta.session_id
        ON CONFLICT (session_id) DO UPDATE SET rostered = tally.rostered + excluded.rostered;
    
                RETURN NULL;
            END
            $function$;

-- session_tallies_attendance_delete
CREATE TRIGGER session_tallies_attendance_delete AFTER DELETE ON public.attendance REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION session_tallies_attendance_delete();

-- session_tallies_attendance_insert
CREATE TRIGGER session_tallies_attendance_insert AFTER INSERT ON public.attendance REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION session_tallies_attendance_insert();

-- session_tallies_attendance_update
CREATE TRIGGER session_tallies_attendance_update AFTER UPDATE OF session_id ON public.attendance FOR EACH ROW WHEN ((old.session_id IS DISTINCT FROM new.session_id)) EXECUTE FUNCTION session_tallies_attendance_update();

-- session_tallies_session_roster_delete
CREATE TRIGGER session_tallies_session_roster_delete AFTER DELETE ON public.session_roster REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION session_tallies_session_roster_delete();

-- session_tallies_session_roster_insert
CREATE TRIGGER session_tallies_session_roster_insert AFTER INSERT ON public.session_roster REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION session_tallies_session_roster_insert();

-- session_tallies_session_roster_update
CREATE TRIGGER session_tallies_session_roster_update AFTER UPDATE OF session_id ON public.session_roster FOR EACH ROW WHEN ((old.session_id IS DISTINCT FROM new.session_id)) EXECUTE FUNCTION session_tallies_session_roster_update();

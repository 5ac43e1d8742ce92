-- progress_marks_attendance_delete
CREATE OR REPLACE FUNCTION public.progress_marks_attendance_delete()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT old_rows.enrollment_id FROM old_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_attendance_insert
CREATE OR REPLACE FUNCTION public.progress_marks_attendance_insert()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT new_rows.enrollment_id FROM new_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_attendance_update
CREATE OR REPLACE FUNCTION public.progress_marks_attendance_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
        BEGIN
            INSERT INTO progress_marks (enrollment_id, generation)
            SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT changed.enrollment_id FROM ((SELECT session_id, enrollment_id, status, minutes_attended FROM new_rows EXCEPT SELECT session_id, enrollment_id, status, minutes_attended FROM old_rows) UNION ALL (SELECT session_id, enrollment_id, status, minutes_attended FROM old_rows EXCEPT SELECT session_id, enrollment_id, status, minutes_attended FROM new_rows)) AS changed) AS fed (enrollment_id)
            ORDER BY fed.enrollment_id
            ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
            RETURN NULL;
        END
        $function$;

-- progress_marks_clinical_events_delete
CREATE OR REPLACE FUNCTION public.progress_marks_clinical_events_delete()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT old_rows.enrollment_id FROM old_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_clinical_events_insert
CREATE OR REPLACE FUNCTION public.progress_marks_clinical_events_insert()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT new_rows.enrollment_id FROM new_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_clinical_events_update
CREATE OR REPLACE FUNCTION public.progress_marks_clinical_events_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT new_rows.enrollment_id FROM new_rows UNION SELECT old_rows.enrollment_id FROM old_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_enrollments_update
CREATE OR REPLACE FUNCTION public.progress_marks_enrollments_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT new_rows.id FROM new_rows UNION SELECT old_rows.id FROM old_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_homework_delete
CREATE OR REPLACE FUNCTION public.progress_marks_homework_delete()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT old_rows.enrollment_id FROM old_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_homework_insert
CREATE OR REPLACE FUNCTION public.progress_marks_homework_insert()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT new_rows.enrollment_id FROM new_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_homework_update
CREATE OR REPLACE FUNCTION public.progress_marks_homework_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT new_rows.enrollment_id FROM new_rows UNION SELECT old_rows.enrollment_id FROM old_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_phase_changes_delete
CREATE OR REPLACE FUNCTION public.progress_marks_phase_changes_delete()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT old_rows.enrollment_id FROM old_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_phase_changes_insert
CREATE OR REPLACE FUNCTION public.progress_marks_phase_changes_insert()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT new_rows.enrollment_id FROM new_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_phase_changes_update
CREATE OR REPLACE FUNCTION public.progress_marks_phase_changes_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT new_rows.enrollment_id FROM new_rows UNION SELECT old_rows.enrollment_id FROM old_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_phase_slots_delete
CREATE OR REPLACE FUNCTION public.progress_marks_phase_slots_delete()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT enrollments.id FROM enrollments JOIN phases ON phases.program_id = enrollments.program_id JOIN old_rows ON phases.id = old_rows.phase_id) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_phase_slots_insert
CREATE OR REPLACE FUNCTION public.progress_marks_phase_slots_insert()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT enrollments.id FROM enrollments JOIN phases ON phases.program_id = enrollments.program_id JOIN new_rows ON phases.id = new_rows.phase_id) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_phase_slots_update
CREATE OR REPLACE FUNCTION public.progress_marks_phase_slots_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT enrollments.id FROM enrollments JOIN phases ON phases.program_id = enrollments.program_id JOIN new_rows ON phases.id = new_rows.phase_id UNION SELECT enrollments.id FROM enrollments JOIN phases ON phases.program_id = enrollments.program_id JOIN old_rows ON phases.id = old_rows.phase_id) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_phases_delete
CREATE OR REPLACE FUNCTION public.progress_marks_phases_delete()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT enrollments.id FROM enrollments JOIN old_rows ON enrollments.program_id = old_rows.program_id) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_phases_insert
CREATE OR REPLACE FUNCTION public.progress_marks_phases_insert()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT enrollments.id FROM enrollments JOIN new_rows ON enrollments.program_id = new_rows.program_id) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_phases_update
CREATE OR REPLACE FUNCTION public.progress_marks_phases_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT enrollments.id FROM enrollments JOIN new_rows ON enrollments.program_id = new_rows.program_id UNION SELECT enrollments.id FROM enrollments JOIN old_rows ON enrollments.program_id = old_rows.program_id) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_programs_update
CREATE OR REPLACE FUNCTION public.progress_marks_programs_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT enrollments.id FROM enrollments JOIN new_rows ON enrollments.program_id = new_rows.id UNION SELECT enrollments.id FROM enrollments JOIN old_rows ON enrollments.program_id = old_rows.id) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_session_roster_delete
CREATE OR REPLACE FUNCTION public.progress_marks_session_roster_delete()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT old_rows.enrollment_id FROM old_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_session_roster_insert
CREATE OR REPLACE FUNCTION public.progress_marks_session_roster_insert()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT new_rows.enrollment_id FROM new_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_session_roster_update
CREATE OR REPLACE FUNCTION public.progress_marks_session_roster_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT new_rows.enrollment_id FROM new_rows UNION SELECT old_rows.enrollment_id FROM old_rows) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_slots_delete
CREATE OR REPLACE FUNCTION public.progress_marks_slots_delete()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT enrollments.id FROM enrollments JOIN old_rows ON enrollments.program_id = old_rows.program_id) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_slots_insert
CREATE OR REPLACE FUNCTION public.progress_marks_slots_insert()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT enrollments.id FROM enrollments JOIN new_rows ON enrollments.program_id = new_rows.program_id) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_slots_update
CREATE OR REPLACE FUNCTION public.progress_marks_slots_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT enrollments.id FROM enrollments JOIN new_rows ON enrollments.program_id = new_rows.program_id UNION SELECT enrollments.id FROM enrollments JOIN old_rows ON enrollments.program_id = old_rows.program_id) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_treatment_sessions_update
CREATE OR REPLACE FUNCTION public.progress_marks_treatment_sessions_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM (SELECT session_roster.enrollment_id FROM session_roster JOIN new_rows ON session_roster.session_id = new_rows.id UNION SELECT session_roster.enrollment_id FROM session_roster JOIN old_rows ON session_roster.session_id = old_rows.id) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1;
                    RETURN NULL;
                END
                $function$;

-- progress_marks_attendance_delete
CREATE TRIGGER progress_marks_attendance_delete AFTER DELETE ON public.attendance REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_attendance_delete();

-- progress_marks_attendance_insert
CREATE TRIGGER progress_marks_attendance_insert AFTER INSERT ON public.attendance REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_attendance_insert();

-- progress_marks_attendance_update
CREATE TRIGGER progress_marks_attendance_update AFTER UPDATE ON public.attendance REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_attendance_update();

-- progress_marks_clinical_events_delete
CREATE TRIGGER progress_marks_clinical_events_delete AFTER DELETE ON public.clinical_events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_clinical_events_delete();

-- progress_marks_clinical_events_insert
CREATE TRIGGER progress_marks_clinical_events_insert AFTER INSERT ON public.clinical_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_clinical_events_insert();

-- progress_marks_clinical_events_update
CREATE TRIGGER progress_marks_clinical_events_update AFTER UPDATE ON public.clinical_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_clinical_events_update();

-- progress_marks_enrollments_update
CREATE TRIGGER progress_marks_enrollments_update AFTER UPDATE ON public.enrollments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_enrollments_update();

-- progress_marks_homework_delete
CREATE TRIGGER progress_marks_homework_delete AFTER DELETE ON public.homework REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_homework_delete();

-- progress_marks_homework_insert
CREATE TRIGGER progress_marks_homework_insert AFTER INSERT ON public.homework REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_homework_insert();

-- progress_marks_homework_update
CREATE TRIGGER progress_marks_homework_update AFTER UPDATE ON public.homework REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_homework_update();

-- progress_marks_phase_changes_delete
CREATE TRIGGER progress_marks_phase_changes_delete AFTER DELETE ON public.phase_changes REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_phase_changes_delete();

-- progress_marks_phase_changes_insert
CREATE TRIGGER progress_marks_phase_changes_insert AFTER INSERT ON public.phase_changes REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_phase_changes_insert();

-- progress_marks_phase_changes_update
CREATE TRIGGER progress_marks_phase_changes_update AFTER UPDATE ON public.phase_changes REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_phase_changes_update();

-- progress_marks_phase_slots_delete
CREATE TRIGGER progress_marks_phase_slots_delete AFTER DELETE ON public.phase_slots REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_phase_slots_delete();

-- progress_marks_phase_slots_insert
CREATE TRIGGER progress_marks_phase_slots_insert AFTER INSERT ON public.phase_slots REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_phase_slots_insert();

-- progress_marks_phase_slots_update
CREATE TRIGGER progress_marks_phase_slots_update AFTER UPDATE ON public.phase_slots REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_phase_slots_update();

-- progress_marks_phases_delete
CREATE TRIGGER progress_marks_phases_delete AFTER DELETE ON public.phases REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_phases_delete();

-- progress_marks_phases_insert
CREATE TRIGGER progress_marks_phases_insert AFTER INSERT ON public.phases REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_phases_insert();

-- progress_marks_phases_update
CREATE TRIGGER progress_marks_phases_update AFTER UPDATE ON public.phases REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_phases_update();

-- progress_marks_programs_update
CREATE TRIGGER progress_marks_programs_update AFTER UPDATE ON public.programs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_programs_update();

-- progress_marks_session_roster_delete
CREATE TRIGGER progress_marks_session_roster_delete AFTER DELETE ON public.session_roster REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_session_roster_delete();

-- progress_marks_session_roster_insert
CREATE TRIGGER progress_marks_session_roster_insert AFTER INSERT ON public.session_roster REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_session_roster_insert();

-- progress_marks_session_roster_update
CREATE TRIGGER progress_marks_session_roster_update AFTER UPDATE ON public.session_roster REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_session_roster_update();

-- progress_marks_slots_delete
CREATE TRIGGER progress_marks_slots_delete AFTER DELETE ON public.slots REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_slots_delete();

-- progress_marks_slots_insert
CREATE TRIGGER progress_marks_slots_insert AFTER INSERT ON public.slots REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_slots_insert();

-- progress_marks_slots_update
CREATE TRIGGER progress_marks_slots_update AFTER UPDATE ON public.slots REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_slots_update();

-- progress_marks_treatment_sessions_update
CREATE TRIGGER progress_marks_treatment_sessions_update AFTER UPDATE ON public.treatment_sessions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_marks_treatment_sessions_update();

-- progress_marks_attendance_delete
CREATE TRIGGER progress_marks_attendance_delete AFTER DELETE ON attendance FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (OLD.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_attendance_insert
CREATE TRIGGER progress_marks_attendance_insert AFTER INSERT ON attendance FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (NEW.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_attendance_update
CREATE TRIGGER progress_marks_attendance_update AFTER UPDATE ON attendance FOR EACH ROW WHEN OLD.session_id IS NOT NEW.session_id OR OLD.enrollment_id IS NOT NEW.enrollment_id OR OLD.status IS NOT NEW.status OR OLD.minutes_attended IS NOT NEW.minutes_attended BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (NEW.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; INSERT INTO progress_marks (enrollment_id, generation) VALUES (OLD.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_clinical_events_delete
CREATE TRIGGER progress_marks_clinical_events_delete AFTER DELETE ON clinical_events FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (OLD.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_clinical_events_insert
CREATE TRIGGER progress_marks_clinical_events_insert AFTER INSERT ON clinical_events FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (NEW.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_clinical_events_update
CREATE TRIGGER progress_marks_clinical_events_update AFTER UPDATE ON clinical_events FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (NEW.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; INSERT INTO progress_marks (enrollment_id, generation) VALUES (OLD.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_enrollments_update
CREATE TRIGGER progress_marks_enrollments_update AFTER UPDATE ON enrollments FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (NEW.id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; INSERT INTO progress_marks (enrollment_id, generation) VALUES (OLD.id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_homework_delete
CREATE TRIGGER progress_marks_homework_delete AFTER DELETE ON homework FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (OLD.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_homework_insert
CREATE TRIGGER progress_marks_homework_insert AFTER INSERT ON homework FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (NEW.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_homework_update
CREATE TRIGGER progress_marks_homework_update AFTER UPDATE ON homework FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (NEW.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; INSERT INTO progress_marks (enrollment_id, generation) VALUES (OLD.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_phase_changes_delete
CREATE TRIGGER progress_marks_phase_changes_delete AFTER DELETE ON phase_changes FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (OLD.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_phase_changes_insert
CREATE TRIGGER progress_marks_phase_changes_insert AFTER INSERT ON phase_changes FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (NEW.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_phase_changes_update
CREATE TRIGGER progress_marks_phase_changes_update AFTER UPDATE ON phase_changes FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (NEW.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; INSERT INTO progress_marks (enrollment_id, generation) VALUES (OLD.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_phase_slots_delete
CREATE TRIGGER progress_marks_phase_slots_delete AFTER DELETE ON phase_slots FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments JOIN phases ON phases.program_id = enrollments.program_id WHERE phases.id = OLD.phase_id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_phase_slots_insert
CREATE TRIGGER progress_marks_phase_slots_insert AFTER INSERT ON phase_slots FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments JOIN phases ON phases.program_id = enrollments.program_id WHERE phases.id = NEW.phase_id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_phase_slots_update
CREATE TRIGGER progress_marks_phase_slots_update AFTER UPDATE ON phase_slots FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments JOIN phases ON phases.program_id = enrollments.program_id WHERE phases.id = NEW.phase_id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments JOIN phases ON phases.program_id = enrollments.program_id WHERE phases.id = OLD.phase_id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_phases_delete
CREATE TRIGGER progress_marks_phases_delete AFTER DELETE ON phases FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments WHERE enrollments.program_id = OLD.program_id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_phases_insert
CREATE TRIGGER progress_marks_phases_insert AFTER INSERT ON phases FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments WHERE enrollments.program_id = NEW.program_id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_phases_update
CREATE TRIGGER progress_marks_phases_update AFTER UPDATE ON phases FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments WHERE enrollments.program_id = NEW.program_id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments WHERE enrollments.program_id = OLD.program_id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_programs_update
CREATE TRIGGER progress_marks_programs_update AFTER UPDATE ON programs FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments WHERE enrollments.program_id = NEW.id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments WHERE enrollments.program_id = OLD.id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_session_roster_delete
CREATE TRIGGER progress_marks_session_roster_delete AFTER DELETE ON session_roster FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (OLD.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_session_roster_insert
CREATE TRIGGER progress_marks_session_roster_insert AFTER INSERT ON session_roster FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (NEW.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_session_roster_update
CREATE TRIGGER progress_marks_session_roster_update AFTER UPDATE ON session_roster FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) VALUES (NEW.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; INSERT INTO progress_marks (enrollment_id, generation) VALUES (OLD.enrollment_id, 1) ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_slots_delete
CREATE TRIGGER progress_marks_slots_delete AFTER DELETE ON slots FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments WHERE enrollments.program_id = OLD.program_id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_slots_insert
CREATE TRIGGER progress_marks_slots_insert AFTER INSERT ON slots FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments WHERE enrollments.program_id = NEW.program_id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_slots_update
CREATE TRIGGER progress_marks_slots_update AFTER UPDATE ON slots FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments WHERE enrollments.program_id = NEW.program_id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; INSERT INTO progress_marks (enrollment_id, generation) SELECT enrollments.id, 1 FROM enrollments WHERE enrollments.program_id = OLD.program_id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

-- progress_marks_treatment_sessions_update
CREATE TRIGGER progress_marks_treatment_sessions_update AFTER UPDATE ON treatment_sessions FOR EACH ROW BEGIN INSERT INTO progress_marks (enrollment_id, generation) SELECT session_roster.enrollment_id, 1 FROM session_roster WHERE session_roster.session_id = NEW.id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; INSERT INTO progress_marks (enrollment_id, generation) SELECT session_roster.enrollment_id, 1 FROM session_roster WHERE session_roster.session_id = OLD.id ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1; END;

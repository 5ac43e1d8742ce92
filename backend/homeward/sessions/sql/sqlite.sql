-- session_tallies_attendance_delete
CREATE TRIGGER session_tallies_attendance_delete AFTER DELETE ON attendance FOR EACH ROW BEGIN INSERT INTO session_tallies (session_id, recorded, rostered) SELECT OLD.session_id, -1, 0 WHERE EXISTS (SELECT 1 FROM treatment_sessions WHERE id = OLD.session_id) ON CONFLICT (session_id) DO UPDATE SET recorded = recorded + excluded.recorded; END;

-- session_tallies_attendance_insert
CREATE TRIGGER session_tallies_attendance_insert AFTER INSERT ON attendance FOR EACH ROW BEGIN INSERT INTO session_tallies (session_id, recorded, rostered) SELECT NEW.session_id, 1, 0 WHERE EXISTS (SELECT 1 FROM treatment_sessions WHERE id = NEW.session_id) ON CONFLICT (session_id) DO UPDATE SET recorded = recorded + excluded.recorded; END;

-- session_tallies_attendance_update
CREATE TRIGGER session_tallies_attendance_update AFTER UPDATE OF session_id ON attendance FOR EACH ROW WHEN OLD.session_id IS NOT NEW.session_id BEGIN INSERT INTO session_tallies (session_id, recorded, rostered) SELECT OLD.session_id, -1, 0 WHERE EXISTS (SELECT 1 FROM treatment_sessions WHERE id = OLD.session_id) ON CONFLICT (session_id) DO UPDATE SET recorded = recorded + excluded.recorded; INSERT INTO session_tallies (session_id, recorded, rostered) SELECT NEW.session_id, 1, 0 WHERE EXISTS (SELECT 1 FROM treatment_sessions WHERE id = NEW.session_id) ON CONFLICT (session_id) DO UPDATE SET recorded = recorded + excluded.recorded; END;

-- session_tallies_session_roster_delete
CREATE TRIGGER session_tallies_session_roster_delete AFTER DELETE ON session_roster FOR EACH ROW BEGIN INSERT INTO session_tallies (session_id, rostered, recorded) SELECT OLD.session_id, -1, 0 WHERE EXISTS (SELECT 1 FROM treatment_sessions WHERE id = OLD.session_id) ON CONFLICT (session_id) DO UPDATE SET rostered = rostered + excluded.rostered; END;

-- session_tallies_session_roster_insert
CREATE TRIGGER session_tallies_session_roster_insert AFTER INSERT ON session_roster FOR EACH ROW BEGIN INSERT INTO session_tallies (session_id, rostered, recorded) SELECT NEW.session_id, 1, 0 WHERE EXISTS (SELECT 1 FROM treatment_sessions WHERE id = NEW.session_id) ON CONFLICT (session_id) DO UPDATE SET rostered = rostered + excluded.rostered; END;

-- session_tallies_session_roster_update
CREATE TRIGGER session_tallies_session_roster_update AFTER UPDATE OF session_id ON session_roster FOR EACH ROW WHEN OLD.session_id IS NOT NEW.session_id BEGIN INSERT INTO session_tallies (session_id, rostered, recorded) SELECT OLD.session_id, -1, 0 WHERE EXISTS (SELECT 1 FROM treatment_sessions WHERE id = OLD.session_id) ON CONFLICT (session_id) DO UPDATE SET rostered = rostered + excluded.rostered; INSERT INTO session_tallies (session_id, rostered, recorded) SELECT NEW.session_id, 1, 0 WHERE EXISTS (SELECT 1 FROM treatment_sessions WHERE id = NEW.session_id) ON CONFLICT (session_id) DO UPDATE SET rostered = rostered + excluded.rostered; END;

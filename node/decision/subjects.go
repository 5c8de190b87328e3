package decision

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// indexSubjects builds the 's' table (subject → NIK) from the 'n' table
// (NIK → subject) for a state written before 's' existed: opened from disk
// or restored from an older server's snapshot. Without it a subject given
// a NIK before the upgrade could be given a second. It runs once per state
// (keySubjectsIndexed), reads only the state every replica shares and
// keeps the lowest NIK of a subject that holds more than one (the defect
// this table ends), so every replica builds the same table.
func indexSubjects(db *badger.DB) error {
	done := false
	err := db.View(func(txn *badger.Txn) error {
		_, ok, err := rules{txn}.get(keySubjectsIndexed)
		done = ok
		return err
	})
	if err != nil || done {
		return err
	}
	wb := db.NewWriteBatch()
	seen := map[string]bool{}
	err = db.View(func(txn *badger.Txn) error {
		p := nikKey("")
		it := txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() { // NIK order: the lowest first
			nik := string(it.Item().Key()[len(p):])
			subject, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if len(subject) == 0 || seen[string(subject)] {
				continue
			}
			seen[string(subject)] = true
			if err := wb.Set(subjectKey(string(subject)), []byte(nik)); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = wb.Set(keySubjectsIndexed, []byte{1})
	}
	if err != nil {
		wb.Cancel()
		return fmt.Errorf("index subjects: %w", err)
	}
	return wb.Flush()
}

package db

import "context"

// TamperAuditForTest tries to rewrite the audit log, which must fail.
func (db *DB) TamperAuditForTest(ctx context.Context) error {
	_, err := db.x.ExecContext(ctx, `UPDATE audit_log SET action = 'forged'`)
	if err != nil {
		return err
	}
	_, err = db.x.ExecContext(ctx, `DELETE FROM audit_log`)
	return err
}

// A button that asks before it acts (moving an alias, deleting): a modal <dialog>.
import { useRef, useState, type ReactNode } from 'react';

export function ConfirmButton({
  label,
  question,
  confirmLabel = 'Yes',
  onConfirm,
  danger = false,
  disabled = false,
}: {
  label: string;
  question: ReactNode;
  confirmLabel?: string;
  onConfirm: () => void | Promise<void>;
  danger?: boolean;
  disabled?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };
  return (
    <>
      <button type="button" className={danger ? 'danger' : 'secondary'} disabled={disabled} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} aria-label={label}>
        <div>{question}</div>
        <div className="row" style={{ marginTop: '1rem' }}>
          <button type="button" className={danger ? 'danger' : undefined} disabled={busy} onClick={() => void confirm()}>
            {confirmLabel}
          </button>
          <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  );
}

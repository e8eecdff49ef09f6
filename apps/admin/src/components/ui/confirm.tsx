import type { ReactNode } from 'react';

/** "Are you sure?" for what cannot be undone: the question, the confirming button and Cancel. */
export function Confirm({
  id,
  children,
  action,
  onConfirm,
  onCancel,
}: {
  id: string;
  children: ReactNode;
  action: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div role="alertdialog" aria-labelledby={id} className="confirm">
      <p id={id}>{children}</p>
      <button type="button" onClick={onConfirm}>
        {action}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

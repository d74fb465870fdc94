// Tabs over the sections of one page (arrow keys move between them).
import type { KeyboardEvent } from 'react';

export function Tabs<T extends string>({
  tabs,
  current,
  onChange,
  label,
}: {
  tabs: { id: T; label: string }[];
  current: T;
  onChange: (id: T) => void;
  label: string;
}) {
  const onKey = (event: KeyboardEvent) => {
    const at = tabs.findIndex((t) => t.id === current);
    if (event.key === 'ArrowRight') onChange(tabs[(at + 1) % tabs.length].id);
    else if (event.key === 'ArrowLeft') onChange(tabs[(at + tabs.length - 1) % tabs.length].id);
  };
  return (
    <div className="tabs" role="tablist" aria-label={label} onKeyDown={onKey}>
      {tabs.map((tab) => (
        <button
          key={tab.id}
          role="tab"
          type="button"
          aria-selected={tab.id === current}
          tabIndex={tab.id === current ? 0 : -1}
          onClick={() => onChange(tab.id)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

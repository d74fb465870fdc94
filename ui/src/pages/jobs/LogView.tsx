// A log in a <pre> that keeps scrolled to the bottom while new lines arrive (while `follow`,
// and for the last lines once it stops), unless the reader scrolled up to read something.
import { useLayoutEffect, useRef } from 'react';

export function LogView({ text, label, follow }: { text: string; label: string; follow: boolean }) {
  const pre = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);
  const followed = useRef(false);
  if (follow) followed.current = true;
  useLayoutEffect(() => {
    const element = pre.current;
    if (element && followed.current && atBottom.current) element.scrollTop = element.scrollHeight;
  }, [text, follow]);
  const onScroll = () => {
    const element = pre.current;
    if (element) atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
  };
  return (
    <pre ref={pre} className="log" aria-label={label} tabIndex={0} onScroll={onScroll}>
      {text || '(nothing logged yet)'}
    </pre>
  );
}

// A state word in colour: succeeded, failed, running, ready…
export function Badge({ state }: { state: string }) {
  const word = state.split(/[:\s(]/)[0];
  return <span className={`badge ${word}`}>{state}</span>;
}

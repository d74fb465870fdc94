// An API error in words, shown next to the control that caused it.
export function ErrorNote({ error, id }: { error?: string; id?: string }) {
  if (!error) return null;
  return (
    <p className="error" role="alert" id={id}>
      {error}
    </p>
  );
}

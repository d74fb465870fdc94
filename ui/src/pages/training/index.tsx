// The training area: every page under /training.
export default function Area({ path }: { path: string }) {
  return <h1>{path}</h1>;
}

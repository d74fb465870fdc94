// The datasets area: every page under /datasets.
export default function Area({ path }: { path: string }) {
  return <h1>{path}</h1>;
}

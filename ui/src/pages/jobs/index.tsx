// The jobs area: every page under /jobs.
export default function Area({ path }: { path: string }) {
  return <h1>{path}</h1>;
}

// The models area: every page under /models.
export default function Area({ path }: { path: string }) {
  return <h1>{path}</h1>;
}

// The endpoints area: every page under /endpoints.
export default function Area({ path }: { path: string }) {
  return <h1>{path}</h1>;
}

// The admin area: every page under /admin.
export default function Area({ path }: { path: string }) {
  return <h1>{path}</h1>;
}

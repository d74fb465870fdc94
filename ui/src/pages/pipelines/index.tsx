// The pipelines area: every page under /pipelines.
export default function Area({ path }: { path: string }) {
  return <h1>{path}</h1>;
}

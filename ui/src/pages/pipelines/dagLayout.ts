// Places the steps of a pipeline in layers: a step's layer is 1 + the largest layer of the
// steps it needs; layers go left to right, the steps of a layer top to bottom.
export interface DagNode {
  name: string;
  type: string;
  needs: string[];
  state?: string;
  seconds?: number | null;
}

export interface Placed {
  node: DagNode;
  layer: number;
  x: number;
  y: number;
}

export const kNodeWidth = 144;
export const kNodeHeight = 60;
const kLayerGap = 34;
const kRowGap = 18;
const kPad = 12;

export function layerOf(nodes: DagNode[]): Map<string, number> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const layers = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (name: string): number => {
    const known = layers.get(name);
    if (known !== undefined) return known;
    const node = byName.get(name);
    if (!node || visiting.has(name)) return -1; // unknown step, or a cycle: the server refuses both
    visiting.add(name);
    let layer = 0;
    for (const need of node.needs) {
      if (byName.has(need)) layer = Math.max(layer, visit(need) + 1);
    }
    visiting.delete(name);
    layers.set(name, layer);
    return layer;
  };
  nodes.forEach((n) => visit(n.name));
  return layers;
}

export interface Layout {
  placed: Map<string, Placed>;
  columns: Placed[][];
  width: number;
  height: number;
}

export function layout(nodes: DagNode[]): Layout {
  const layers = layerOf(nodes);
  const columns: DagNode[][] = [];
  nodes.forEach((n) => {
    const layer = layers.get(n.name) ?? 0;
    (columns[layer] ??= []).push(n);
  });
  // Within a layer, steps sit near the middle of what they need (fewer crossing edges).
  const rowOf = new Map<string, number>();
  columns.forEach((column, layer) => {
    if (layer > 0) {
      const centre = (n: DagNode) => {
        const rows = n.needs.map((need) => rowOf.get(need)).filter((r): r is number => r !== undefined);
        return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : 0.5;
      };
      const keyed = column.map((n, i) => ({ n, i, c: centre(n) }));
      keyed.sort((a, b) => a.c - b.c || a.i - b.i);
      columns[layer] = keyed.map((k) => k.n);
    }
    columns[layer].forEach((n, i) => rowOf.set(n.name, (i + 0.5) / columns[layer].length));
  });
  const tallest = Math.max(1, ...columns.map((c) => c?.length ?? 0));
  const placed = new Map<string, Placed>();
  const placedColumns = columns.map((column, layer) => {
    const offset = ((tallest - column.length) * (kNodeHeight + kRowGap)) / 2;
    return column.map((node, i) => {
      const at = { node, layer, x: kPad + layer * (kNodeWidth + kLayerGap), y: kPad + offset + i * (kNodeHeight + kRowGap) };
      placed.set(node.name, at);
      return at;
    });
  });
  return {
    placed,
    columns: placedColumns,
    width: kPad * 2 + Math.max(1, columns.length) * (kNodeWidth + kLayerGap) - kLayerGap,
    height: kPad * 2 + tallest * (kNodeHeight + kRowGap) - kRowGap,
  };
}

// The free heights in a layer: above, between and below its steps.
function gaps(column: Placed[]): number[] {
  if (column.length === 0) return [kPad + kNodeHeight / 2];
  const out = [column[0].y - kRowGap / 2];
  column.forEach((p) => out.push(p.y + kNodeHeight + kRowGap / 2));
  return out;
}

// An edge as an SVG path: a cubic curve between neighbouring layers; an edge that skips
// layers passes each one through the gap between steps nearest its straight line.
export function edgePath(from: Placed, to: Placed, columns: Placed[][]): string {
  const x1 = from.x + kNodeWidth;
  const y1 = from.y + kNodeHeight / 2;
  const x2 = to.x - 2;
  const y2 = to.y + kNodeHeight / 2;
  const points: [number, number][] = [[x1, y1]];
  for (let layer = from.layer + 1; layer < to.layer; layer++) {
    const column = columns[layer] ?? [];
    const x = kPad + layer * (kNodeWidth + kLayerGap);
    const straight = y1 + ((y2 - y1) * (x + kNodeWidth / 2 - x1)) / (x2 - x1);
    const y = gaps(column).reduce((best, g) => (Math.abs(g - straight) < Math.abs(best - straight) ? g : best));
    points.push([x, y], [x + kNodeWidth, y]);
  }
  points.push([x2, y2]);
  let d = `M ${points[0][0]} ${points[0][1]}`;
  for (let i = 1; i < points.length; i++) {
    const [ax, ay] = points[i - 1];
    const [bx, by] = points[i];
    if (ay === by && i % 2 === 0) {
      d += ` L ${bx} ${by}`;
      continue;
    }
    const bend = Math.max(12, (bx - ax) / 2);
    d += ` C ${ax + bend} ${ay}, ${bx - bend} ${by}, ${bx} ${by}`;
  }
  return d;
}

// A flow part drawn as a directed graph laid out by dagre: applets as nodes (id, type, key settings),
// branches as labelled edges, the start marked, dead ends as red stubs, unreachable applets in a box
// of their own, checker problems on their nodes, and a simulated path lit.
import dagre from '@dagrejs/dagre';
import { useMemo, useRef, useState } from 'preact/hooks';
import { isApplet } from '../../lambdas/flows/graph';
import { branches, reachable, settingsLine, type Names } from './flow-model';
import { appletLabel } from './overview';
import type { Channel, Problem } from '../../lambdas/api-types';
import type { Part } from './types';

const NODE_W = 190;
const NODE_H = 60;
const STUB_W = 84;
const STUB_H = 24;

interface NodeBox {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  stub?: { applet: string; branch: string };
  unreachable?: boolean;
}
interface EdgeLine {
  from: string;
  to: string;
  branch: string;
  label: string;
  points: Array<{ x: number; y: number }>;
  labelAt: { x: number; y: number };
  stub?: boolean;
}
interface Layout {
  nodes: NodeBox[];
  edges: EdgeLine[];
  width: number;
  height: number;
  apart?: { x: number; y: number; w: number; h: number };
}

function layoutGraph(ids: string[], part: Part, missing: Set<string>, include: (id: string) => boolean) {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 36, ranksep: 56, edgesep: 16, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of ids) g.setNode(id, { width: NODE_W, height: NODE_H });
  const edges: Array<{ from: string; to: string; branch: string; label: string; stub?: boolean }> = [];
  for (const id of ids) {
    for (const b of branches(part.applets[id])) {
      if (isApplet(part, b.target) && include(b.target)) {
        edges.push({ from: id, to: b.target, branch: b.branch, label: b.label });
      } else if (!b.target && missing.has(`${id}\u0000${b.branch}`)) {
        const stub = `stub:${id}:${b.branch}`;
        g.setNode(stub, { width: STUB_W, height: STUB_H });
        edges.push({ from: id, to: stub, branch: b.branch, label: b.label, stub: true });
      }
    }
  }
  for (const e of edges) g.setEdge(e.from, e.to, { label: e.label, width: Math.min(120, e.label.length * 6.5 + 10), height: 18, labelpos: 'c' }, e.branch);
  dagre.layout(g);
  const graph = g.graph() as { width?: number; height?: number };
  return { g, edges, width: graph.width ?? 0, height: graph.height ?? 0 };
}

export function computeLayout(part: Part, problems: Problem[]): Layout {
  const ids = Object.keys(part.applets);
  const live = reachable(part);
  const missing = new Set(problems.filter((p) => p.code === 'missing_branch' && p.applet && p.branch).map((p) => `${p.applet}\u0000${p.branch}`));
  const main = layoutGraph(ids.filter((id) => live.has(id)), part, missing, (id) => live.has(id));
  const nodes: NodeBox[] = [];
  const edges: EdgeLine[] = [];
  const collect = (l: ReturnType<typeof layoutGraph>, dx: number, dy: number, unreachable: boolean) => {
    for (const id of l.g.nodes()) {
      const n = l.g.node(id) as { x: number; y: number; width: number; height: number };
      const stub = id.startsWith('stub:') ? { applet: id.split(':')[1], branch: id.split(':').slice(2).join(':') } : undefined;
      nodes.push({ id, x: n.x + dx, y: n.y + dy, w: n.width, h: n.height, stub, unreachable: unreachable && !stub });
    }
    for (const e of l.edges) {
      const le = l.g.edge({ v: e.from, w: e.to, name: e.branch }) as { points: Array<{ x: number; y: number }>; x: number; y: number };
      edges.push({ ...e, points: le.points.map((p) => ({ x: p.x + dx, y: p.y + dy })), labelAt: { x: le.x + dx, y: le.y + dy } });
    }
  };
  collect(main, 0, 0, false);
  const rest = ids.filter((id) => !live.has(id));
  if (rest.length === 0) return { nodes, edges, width: Math.max(main.width, 240), height: main.height };
  const apartLayout = layoutGraph(rest, part, missing, (id) => !live.has(id));
  const top = main.height + 40;
  collect(apartLayout, 0, top + 22, true);
  // Branches from an unreachable applet into the reachable part: a straight line, for completeness.
  const at = new Map(nodes.map((n) => [n.id, n]));
  for (const id of rest) {
    for (const b of branches(part.applets[id])) {
      const from = at.get(id);
      const to = b.target ? at.get(b.target) : undefined;
      if (!from || !to || !live.has(b.target!)) continue;
      const p0 = { x: from.x, y: from.y - from.h / 2 };
      const p1 = { x: to.x, y: to.y + to.h / 2 };
      edges.push({ from: id, to: b.target!, branch: b.branch, label: b.label, points: [p0, p1], labelAt: { x: (p0.x + p1.x) / 2, y: (p0.y + p1.y) / 2 } });
    }
  }
  const width = Math.max(main.width, apartLayout.width, 240);
  return { nodes, edges, width, height: top + 22 + apartLayout.height + 8, apart: { x: 4, y: top, w: width - 8, h: apartLayout.height + 26 } };
}

const pathOf = (pts: Array<{ x: number; y: number }>) => pts.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export interface DiagramProps {
  part: Part;
  channel: Channel;
  problems: Problem[];
  names: Names;
  selected?: string;
  onSelect?: (id: string | undefined) => void;
  /** Applet ids of a simulated run, in order. */
  lit?: string[];
  /** Applets added or changed in a diff. */
  marks?: { added: string[]; changed: string[] };
  /** Dragging a branch (its label or its dead end) onto an applet connects it there. */
  onConnect?: (from: string, branch: string, to: string) => void;
  /** Enter on a branch (its label or its dead end): open its applet's settings at that branch's picker. */
  onPickBranch?: (from: string, branch: string) => void;
}

type Direction = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight';

/**
 * The node an arrow key goes to from `from`: the nearest one in that direction, favouring those straight
 * ahead (a node below and slightly aside beats one far aside), as on a map.
 */
export function nodeToward(nodes: Array<{ id: string; x: number; y: number }>, from: string, key: Direction): string | undefined {
  const here = nodes.find((n) => n.id === from);
  if (!here) return undefined;
  const [ax, ay] = key === 'ArrowUp' ? [0, -1] : key === 'ArrowDown' ? [0, 1] : key === 'ArrowLeft' ? [-1, 0] : [1, 0];
  let best: { id: string; score: number } | undefined;
  for (const n of nodes) {
    if (n.id === from) continue;
    const [dx, dy] = [n.x - here.x, n.y - here.y];
    const ahead = dx * ax + dy * ay;
    if (ahead <= 1) continue;
    const aside = Math.abs(dx * ay) + Math.abs(dy * ax);
    const score = ahead + 2 * aside;
    if (!best || score < best.score) best = { id: n.id, score };
  }
  return best?.id;
}

export function Diagram({ part, channel, problems, names, selected, onSelect, lit = [], marks, onConnect, onPickBranch }: DiagramProps) {
  const layout = useMemo(() => computeLayout(part, problems), [JSON.stringify(part), JSON.stringify(problems)]);
  const svgRef = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ from: string; branch: string; x0: number; y0: number; x: number; y: number; over?: string }>();
  const toSvg = (e: PointerEvent) => {
    const m = svgRef.current?.getScreenCTM();
    if (!m) return { x: 0, y: 0 };
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    return { x: p.x, y: p.y };
  };
  const appletAt = (e: PointerEvent) => {
    const el = document.elementFromPoint(e.clientX, e.clientY)?.closest('g.node') as SVGGElement | null;
    return el?.dataset.applet;
  };
  const startDrag = (from: string, branch: string) => (e: PointerEvent) => {
    if (!onConnect) return;
    e.preventDefault();
    e.stopPropagation();
    const p = toSvg(e);
    (e.currentTarget as Element).setPointerCapture?.(e.pointerId);
    setDrag({ from, branch, x0: p.x, y0: p.y, x: p.x, y: p.y });
  };
  const moveDrag = (e: PointerEvent) => {
    if (!drag) return;
    const p = toSvg(e);
    setDrag({ ...drag, x: p.x, y: p.y, over: appletAt(e) });
  };
  const endDrag = (e: PointerEvent) => {
    if (!drag) return;
    const to = appletAt(e);
    setDrag(undefined);
    if (to && to !== drag.from) onConnect?.(drag.from, drag.branch, to);
  };
  const focusNode = (id: string) => svgRef.current?.querySelector<SVGGElement>(`g.node[data-applet="${CSS.escape(id)}"]`)?.focus();
  const applets = layout.nodes.filter((n) => !n.stub);
  const pickBranch = (from: string, branch: string) => (e: KeyboardEvent) => {
    if (!onPickBranch || (e.key !== 'Enter' && e.key !== ' ')) return;
    e.preventDefault();
    onPickBranch(from, branch);
  };
  const litSet = new Set(lit);
  const litEdges = new Set(lit.slice(1).map((to, i) => `${lit[i]}\u0000${to}`));
  const byApplet = new Map<string, Problem[]>();
  for (const p of problems) if (p.applet) byApplet.set(p.applet, [...(byApplet.get(p.applet) ?? []), p]);
  const title = channel === 'call' ? 'Call flow diagram' : 'SMS flow diagram';
  return (
    <div class="diagram-wrap">
      <svg
        class="diagram"
        role="group"
        aria-label={title}
        width={layout.width}
        height={layout.height + 20}
        viewBox={`0 -20 ${layout.width} ${layout.height + 20}`}
        ref={svgRef}
        onClick={(e) => e.target === e.currentTarget && onSelect?.(undefined)}
        onPointerMove={moveDrag}
        onPointerUp={endDrag}
        onPointerCancel={() => setDrag(undefined)}
      >
        <defs>
          <marker id={`arrow-${channel}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" class="arrow" />
          </marker>
          <marker id={`arrow-lit-${channel}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="11" markerHeight="11" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" class="arrow-lit" />
          </marker>
        </defs>
        {layout.apart && (
          <g class="apart" aria-label="Not reachable from start">
            <rect x={layout.apart.x} y={layout.apart.y} width={layout.apart.w} height={layout.apart.h} rx="8" />
            <text x={layout.apart.x + 10} y={layout.apart.y + 15}>
              Not reachable from start
            </text>
          </g>
        )}
        {layout.edges.map((e) => {
          const on = litEdges.has(`${e.from}\u0000${e.to}`);
          return (
            <g
              key={`${e.from}-${e.branch}`}
              class={`edge${on ? ' lit' : ''}${e.stub ? ' stub-edge' : ''}${onConnect ? ' draggable' : ''}`}
              data-from={e.from}
              data-to={e.stub ? '' : e.to}
              data-branch={e.branch}
              onPointerDown={startDrag(e.from, e.branch)}
              // A branch is reachable by keyboard too: Enter opens its applet's settings at its picker.
              {...(onPickBranch && !e.stub ? { tabindex: 0, role: 'button', 'aria-label': `Branch ${e.label} of ${e.from}, to ${e.to}: press Enter to change where it goes`, onKeyDown: pickBranch(e.from, e.branch) } : {})}
            >
              <title>{onConnect ? `${e.from} · ${e.label}: drag onto an applet to connect it there` : `${e.from} · ${e.label}`}</title>
              <path d={pathOf(e.points)} marker-end={`url(#${on ? 'arrow-lit' : 'arrow'}-${channel})`} />
              <rect x={e.labelAt.x - Math.min(60, e.label.length * 3.3 + 5)} y={e.labelAt.y - 9} width={Math.min(120, e.label.length * 6.6 + 10)} height={18} rx="9" class="edge-label-bg" />
              <text x={e.labelAt.x} y={e.labelAt.y + 4} class="edge-label" text-anchor="middle">
                {clip(e.label, 18)}
              </text>
            </g>
          );
        })}
        {layout.nodes.map((n) => {
          if (n.stub)
            return (
              <g
                key={n.id}
                class={`stub${onConnect ? ' draggable' : ''}`}
                data-stub-for={n.stub.applet}
                data-branch={n.stub.branch}
                transform={`translate(${n.x - n.w / 2},${n.y - n.h / 2})`}
                onPointerDown={startDrag(n.stub.applet, n.stub.branch)}
                {...(onPickBranch ? { tabindex: 0, role: 'button', 'aria-label': `Dead end: branch ${n.stub.branch} of ${n.stub.applet} goes nowhere. Press Enter to choose where it goes`, onKeyDown: pickBranch(n.stub.applet, n.stub.branch) } : {})}
              >
                <title>{onConnect ? 'A dead end: drag it onto the applet this branch should go to' : 'A dead end'}</title>
                <rect width={n.w} height={n.h} rx="12" />
                <text x={n.w / 2} y={16} text-anchor="middle">
                  dead end
                </text>
              </g>
            );
          const a = part.applets[n.id];
          const ps = byApplet.get(n.id) ?? [];
          const severity = ps.some((p) => p.severity === 'error') ? 'error' : ps.length ? 'warning' : '';
          const cls = [
            'node',
            `node-${a.type}`,
            n.id === part.start ? 'start' : '',
            n.unreachable ? 'unreachable' : '',
            severity,
            selected === n.id ? 'selected' : '',
            litSet.has(n.id) ? 'lit' : '',
            drag?.over === n.id && drag.from !== n.id ? 'drop-target' : '',
            marks?.added.includes(n.id) ? 'added' : '',
            marks?.changed.includes(n.id) ? 'changed' : '',
          ]
            .filter(Boolean)
            .join(' ');
          const settings = settingsLine(a, names);
          const title = typeof a.label === 'string' && a.label ? a.label : undefined;
          const label = `${title ? `${title} (${n.id})` : n.id}, ${appletLabel(a.type)}${settings ? `, ${a.type === 'dial' ? 'rings ' : ''}${settings}` : ''}${n.id === part.start ? ', start' : ''}${n.unreachable ? ', unreachable' : ''}${ps.length ? `, ${ps.length} ${ps.length === 1 ? 'problem' : 'problems'}: ${ps.map((p) => p.message).join(' ')}` : ''}`;
          return (
            <g
              key={n.id}
              class={cls}
              data-applet={n.id}
              transform={`translate(${n.x - n.w / 2},${n.y - n.h / 2})`}
              role={onSelect ? 'button' : 'img'}
              tabindex={onSelect ? 0 : undefined}
              aria-label={label}
              aria-pressed={onSelect ? selected === n.id : undefined}
              onClick={() => onSelect?.(n.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onSelect?.(n.id);
                } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown' || e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
                  // Arrow keys move between the applets as they are drawn.
                  const to = nodeToward(applets, n.id, e.key);
                  e.preventDefault();
                  if (to) focusNode(to);
                }
              }}
            >
              <title>{label}</title>
              {n.id === part.start && (
                <g class="start-pill">
                  <rect x={n.w / 2 - 22} y={-19} width="44" height="15" rx="7" />
                  <text x={n.w / 2} y={-8} text-anchor="middle">
                    START
                  </text>
                </g>
              )}
              <rect class="node-box" width={n.w} height={n.h} rx="8" />
              <rect class="node-stripe" width="5" height={n.h} rx="2" />
              <text x="14" y="19" class={title ? 'node-id node-label' : 'node-id'}>
                {clip(title ?? n.id, 20)}
              </text>
              <text x={n.w - 10} y="19" class="node-type" text-anchor="end">
                {appletLabel(a.type)}
              </text>
              <text x="14" y="42" class="node-settings">
                {clip(settings, 28)}
              </text>
              {ps.length > 0 && (
                <g class={`node-problems ${severity}`} transform={`translate(${n.w - 12},${n.h - 12})`}>
                  <circle r="9" />
                  <text y="4" text-anchor="middle">
                    {ps.length}
                  </text>
                </g>
              )}
            </g>
          );
        })}
        {drag && <line class="drag-line" x1={drag.x0} y1={drag.y0} x2={drag.x} y2={drag.y} pointer-events="none" />}
      </svg>
    </div>
  );
}

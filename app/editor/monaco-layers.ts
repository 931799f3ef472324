// Monaco's layers, evaluated one task apart before the editor chunk (CodeEditor.tsx). The build
// puts each layer of Monaco in its own chunk (vite.config.ts, MONACO_LAYERS); importing any
// module of a layer evaluates that chunk and the layers below it, which are already there. As one
// 2.7 MB chunk Monaco's evaluation was a single task of 320–380 ms on a 2.1 GHz machine
// (e2e/specs/longest-task.spec.ts); layer by layer, no task is long. Importing a layer registers
// nothing and creates nothing: the editor is made later, by monaco-editor.ts.

/** One import per layer, lowest first: the order of vite.config.ts's MONACO_LAYERS. */
const LAYERS: readonly (() => Promise<unknown>)[] = [
  () => import('monaco-editor/base/common/lifecycle.js'),
  () => import('monaco-editor/base/browser/dom.js'),
  () => import('monaco-editor/platform/instantiation/common/instantiation.js'),
  () => import('monaco-editor/editor/common/model/textModel.js'),
  () => import('monaco-editor/editor/browser/editorExtensions.js'),
];

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Evaluates Monaco's layers, each in a task of its own; stops early once `cancelled()` says so. */
export async function loadMonacoLayers(cancelled: () => boolean): Promise<void> {
  for (const load of LAYERS) {
    if (cancelled()) return;
    await load();
    await nextTask();
  }
}

// Starts the agent console. Kept in its own file because the console's CSP
// forbids inline scripts. The wasm module mounts itself into #console when
// initialised (see agent-ui/src/lib.rs).
import init from "./pkg/tandem_agent_ui.js";

// The wasm URL is given explicitly: the generated glue does not always
// default to a path next to itself.
const wasm = new URL("./pkg/tandem_agent_ui_bg.wasm", import.meta.url);

init({ module_or_path: wasm }).catch((err) => {
  console.error("tandem: the console failed to start", err);
  const root = document.getElementById("console");
  if (root) {
    const box = document.createElement("div");
    box.className = "boot boot-failed";
    box.textContent = "The console could not start. Reload the page; if it keeps failing, your browser may block WebAssembly.";
    root.replaceChildren(box);
  }
});

// Entry module of the counselor's appointment list.
import { bindCopyButtons } from "./ui/copy.js";

bindCopyButtons();

import { notifyFunction } from './notify-function.ts';

/** scada.alarms → people: see function.yaml, and config/examples/channels.yaml for the channels. */
export default notifyFunction();

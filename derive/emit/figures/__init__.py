"""Figures: Bishop fig. 5.3 fitted by the emitted module, and exercise h)'s minibatch gradients."""

//! How far ahead of the applier to run, when to idle, when to skip forward.

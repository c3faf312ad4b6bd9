import FrameLoop

print("dreamvideo: not yet")

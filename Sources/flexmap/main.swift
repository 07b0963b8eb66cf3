print("flexmap")

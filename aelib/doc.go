// Package aelib is the helper library of the AutoEncoder lecture notebooks.
//
// The notebooks teach: each holds the model it teaches, its loss and its
// training step. aelib carries what every lesson needs but would distract
// from it: the backend, MNIST offline, the training loop's plumbing, trained
// models kept as checkpoints, figures, and the results file. It plays the role
// d2l's helper package plays for its book: one flat package, so a notebook
// cell needs a single import.
//
// A notebook uses it in this order:
//
//	aelib.Must(aelib.Setup())                      // first cell: backend and data, one line each
//	train, test := aelib.Must2(aelib.LoadMNIST())  // pixels in [0,1], 784 per image
//	ae := aelib.Must1(aelib.NewAE("mine", encoder, decoder))
//	aelib.Must1(ae.TrainOrLoad(train, test, cfg, step)) // trains once, then loads
//	rec := aelib.Must1(ae.Reconstruct(test.X[:8*aelib.Pixels]))
//	aelib.Must1(aelib.Grid(aelib.Must1(aelib.SplitImages(rec)), aelib.GridOptions{Cols: 8})).Show()
//	aelib.Must(aelib.Record(notebook, "claim-id", "what it claims", holds, measured))
//
// Must, Must1 and Must2 end a cell with a one-line error. An error of the
// package keeps its cause and, where a caller may act on it, has a kind
// that errors.Is finds: ErrInvalid, ErrData, ErrBackend or ErrCheckpoint. aelib prints progress and
// claims to the writer SetOutput sets (standard output by default); it writes
// files only to the checkpoint directory, the results file $AELIB_RESULTS and,
// when MNIST must be downloaded, its cache. Backend's doc lists the two
// process-wide settings the project's XLA plugin gets.
//
// Every reconstruction loss and error in this package is the per-pixel mean
// squared error: the mean over the images and their 784 pixels, like
// PyTorch's nn.MSELoss.
package aelib
